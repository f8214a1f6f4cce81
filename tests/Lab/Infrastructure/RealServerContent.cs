using System.Security.Cryptography;

namespace UserLvs.Lab.Tests.Infrastructure;

/// <summary>What lab/realserver.py serves, so a test can check a download byte for byte without keeping it.</summary>
public static class RealServerContent
{
    /// <summary>The SHA-256 of /big?mb=N: the bytes 0..255 over and over, 16 chunks of 64 KiB per MiB.</summary>
    public static byte[] BigSha256(int megabytes)
    {
        var chunk = new byte[64 * 1024];
        for (int i = 0; i < chunk.Length; i++) chunk[i] = (byte)i;
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        for (int i = 0; i < megabytes * 16; i++) hash.AppendData(chunk);
        return hash.GetHashAndReset();
    }
}
