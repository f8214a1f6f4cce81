namespace UserLvs.Adm.Cli;

/// <summary>ipvsadm's printing format flags (FMT_*): how -L, -S and -c print.</summary>
[Flags]
internal enum ListFormat
{
    None = 0,
    Numeric = 0x0001,
    Rule = 0x0002,
    Stats = 0x0004,
    Rate = 0x0008,
    Thresholds = 0x0010,
    PersistentConn = 0x0020,
    NoSort = 0x0040,
    Exact = 0x0080,
    TunInfo = 0x0100,
}
