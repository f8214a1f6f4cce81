// Native calls of the lab traffic generator: plain libc (AF_PACKET sockets, a TX ring, mmap).
internal static partial class Interop
{
    internal static class Libraries
    {
        internal const string Libc = "libc";
    }
}
