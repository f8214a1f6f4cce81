namespace UserLvs.Control;

/// <summary>
/// The daemon cannot be reached (no socket, refused, broken mid-answer). userlvs-adm reports it as
/// ipvsadm reports an IPVS it cannot initialise: "Can't initialize ipvs: ..." and exit status 2.
/// </summary>
public sealed class ControlUnavailableException(string message, Exception? inner = null) : Exception(message, inner);
