// Native libraries the forwarder calls. "libc" resolves to the C library on glibc and musl alike
// (the runtime probes libc.so.6 / libc.so); AF_PACKET, mmap and poll are all plain libc calls.
internal static partial class Interop
{
    internal static class Libraries
    {
        internal const string Libc = "libc";
    }
}
