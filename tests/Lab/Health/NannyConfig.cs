using System.Text;
using UserLvs.Lab.Tests.Infrastructure;

namespace UserLvs.Lab.Tests.Health;

/// <summary>
/// The nanny lab tests' lvs.cf: lab/demo.cf's router with one HTTP virtual service (rr on
/// 192.0.2.10:80, s1..s3 at weight 1) checked by the built-in HTTP probe with short timings:
/// timeout 1 s, reentry 2 s, check_interval 0.5 s (lvs.cf accepts fractions of a second).
/// </summary>
internal static class NannyConfig
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(1);
    public static readonly TimeSpan Reentry = TimeSpan.FromSeconds(2);
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(0.5);

    public static string Text(bool quiesce)
    {
        var text = new StringBuilder(LabConfig.SingleRouterGlobals);
        text.Append("""
            virtual http {
                active = 1
                address = 192.0.2.10 pub0:1
                port = 80
                protocol = tcp
                scheduler = rr
                timeout = 1
                reentry = 2
                check_interval = 0.5

            """);
        text.Append($"    quiesce_server = {(quiesce ? 1 : 0)}\n");
        for (int i = 1; i <= 3; i++)
            text.Append(LabConfig.Server(i));
        text.Append("}\n");
        return text.ToString();
    }
}
