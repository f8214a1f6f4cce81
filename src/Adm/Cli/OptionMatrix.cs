namespace UserLvs.Adm.Cli;

/// <summary>
/// ipvsadm's table of legal command/option combinations (commands_v_options) and its check
/// (generic_opt_check): for each option class in order, '+' must be given, 'x' must not, and of the
/// '1' options at most one. The first breach ends the program with ipvsadm's own sentence, so the
/// order of the columns decides which error a bad line gets. Also its tunnel-type table.
/// Rows are written with '_' for ipvsadm's ' ' (optional) so that their width can be counted.
/// </summary>
internal static class OptionMatrix
{
    private static string X(int n) => new('x', n);

    // Columns: -n -c svc -s -p -M -r fwd -w -x -y mc tot dmn st rt thr pc srt sid ex ops pe -b grp port ttl size tinf type tprt nocs csum remc
    private static readonly string[] Rows =
    [
        /* add-service    */ "xx+___" + X(15) + "___" + X(10),
        /* edit-service   */ "xx+___" + X(15) + "___" + X(10),
        /* delete-service */ "xx+" + X(31),
        /* flush          */ X(34),
        /* list           */ "_11" + X(9) + "11" + "_______" + X(7) + "_" + X(5),
        /* add-server     */ "xx+xxx+____" + X(18) + "_____",
        /* delete-server  */ "xx+xxx+" + X(27),
        /* edit-server    */ "xx+xxx+____" + X(18) + "_____",
        /* set            */ X(34),
        /* start-daemon   */ X(11) + "_" + X(7) + "_" + X(4) + "____" + X(6),
        /* stop-daemon    */ X(19) + "_" + X(14),
        /* restore        */ X(34),
        /* save           */ "_" + X(33),
        /* zero           */ "xx_" + X(31),
    ];

    /// <summary>The row of one command (for tests: every row is 34 columns wide).</summary>
    internal static string Row(AdmCommand command) => Rows[(int)command - 1];

    public static void Check(AdmCommand command, ulong options)
    {
        string row = Row(command);
        int count = 0;
        AdmOption last = default;
        for (int j = 0; j < AdmOptionNames.Count; j++)
        {
            var option = (AdmOption)j;
            if ((options & option.Bit()) == 0)
            {
                if (row[j] == '+')
                    throw AdmExit.Fail($"You need to supply the '{option.Name()}' option for the '{command.Name()}' command");
                continue;
            }
            if (row[j] == 'x')
                throw AdmExit.Fail($"Illegal '{option.Name()}' option with the '{command.Name()}' command");
            if (row[j] == '1' && ++count > 1)
                throw AdmExit.Fail($"The option '{option.Name()}' conflicts with the '{last.Name()}' option in the '{command.Name()}' command");
            if (row[j] == '1') last = option;
        }
    }

    private static readonly string[] TunnelNames = ["ipip", "gue", "gre"];
    private static readonly AdmOption[] TunnelOptions = [AdmOption.TunPort, AdmOption.TunNoCsum, AdmOption.TunCsum, AdmOption.TunRemCsum];
    private static readonly string[] TunnelRows = ["xxxx", "+111", "x11x"];

    /// <summary>ipvsadm's tunnel_opt_check for tunnel type 0 (ipip), 1 (gue) or 2 (gre).</summary>
    public static void CheckTunnel(int tunnelType, ulong options)
    {
        string row = TunnelRows[tunnelType];
        string type = TunnelNames[tunnelType];
        int count = 0;
        AdmOption last = default;
        for (int j = 0; j < TunnelOptions.Length; j++)
        {
            var option = TunnelOptions[j];
            if ((options & option.Bit()) == 0)
            {
                if (row[j] == '+')
                    throw AdmExit.Fail($"You need to supply the '{option.Name()}' option for the '{type}' tunnel type");
                continue;
            }
            if (row[j] == 'x')
                throw AdmExit.Fail($"Illegal '{option.Name()}' option with the '{type}' tunnel type");
            if (row[j] == '1' && ++count > 1)
                throw AdmExit.Fail($"The option '{option.Name()}' conflicts with the '{last.Name()}' option in the '{type}' tunnel type");
            if (row[j] == '1') last = option;
        }
    }

    /// <summary>ipvsadm's parse_tun_type: ipip, gue, gre, or -1.</summary>
    public static int TunnelType(string name) => Array.IndexOf(TunnelNames, name);
}
