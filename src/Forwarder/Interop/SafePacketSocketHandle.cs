using System.Runtime.InteropServices;

/// <summary>
/// Owns a packet socket's file descriptor: closed exactly once, after the last P/Invoke using it
/// returns (SafeHandle reference counting), so a worker racing Dispose never writes to a reused fd.
/// </summary>
internal sealed class SafePacketSocketHandle : SafeHandle
{
    public SafePacketSocketHandle() : base(invalidHandleValue: -1, ownsHandle: true)
    {
    }

    internal SafePacketSocketHandle(int fd) : this() => SetHandle(fd);

    public override bool IsInvalid => handle == -1;

    internal int Fd => (int)handle;

    protected override bool ReleaseHandle() => Interop.Close((int)handle) == 0;
}
