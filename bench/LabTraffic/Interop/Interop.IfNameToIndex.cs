using System.Runtime.InteropServices;

internal static partial class Interop
{
    /// <summary>if_nametoindex(3): 0 when the interface does not exist in this network namespace.</summary>
    [LibraryImport(Libraries.Libc, EntryPoint = "if_nametoindex", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial uint IfNameToIndex(string name);
}
