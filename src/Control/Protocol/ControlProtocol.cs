using System.Buffers;
using System.IO.Pipelines;
using System.Text.Json;

namespace UserLvs.Control;

/// <summary>
/// The wire format of the control socket: one UTF-8 JSON object per line, request then response,
/// any number of exchanges per connection. Version 1. A line longer than <see cref="MaxLineBytes"/>
/// or one that is not a valid message is refused with an error and the connection is closed; a
/// request is acted on only once its whole line has arrived, so a client that disconnects
/// mid-request changes nothing.
/// </summary>
public static class ControlProtocol
{
    public const int Version = 1;
    public const int MaxLineBytes = 4 << 20;
    public const string DefaultSocketPath = "/run/userlvs/userlvsd.sock";

    /// <summary>The socket both programs use: USERLVS_SOCKET when set, else the default.</summary>
    public static string SocketPath(string? explicitPath = null) =>
        explicitPath ?? (Environment.GetEnvironmentVariable("USERLVS_SOCKET") is { Length: > 0 } fromEnvironment
            ? fromEnvironment
            : DefaultSocketPath);

    public static async ValueTask WriteAsync<T>(PipeWriter writer, T message, CancellationToken cancellationToken)
    {
        byte[] json = JsonSerializer.SerializeToUtf8Bytes(message, typeof(T), ControlJsonContext.Default);
        await writer.WriteAsync(json, cancellationToken);
        await writer.WriteAsync("\n"u8.ToArray(), cancellationToken);
        await writer.FlushAsync(cancellationToken);
    }

    /// <summary>
    /// Reads the next line; null at a clean end of stream. Throws <see cref="InvalidDataException"/>
    /// for a line that is too long or a stream that ends mid-line.
    /// </summary>
    public static async ValueTask<byte[]?> ReadLineAsync(PipeReader reader, CancellationToken cancellationToken)
    {
        while (true)
        {
            var result = await reader.ReadAsync(cancellationToken);
            var buffer = result.Buffer;
            var newline = buffer.PositionOf((byte)'\n');
            if (newline is { } end)
            {
                if (buffer.Slice(0, end).Length > MaxLineBytes)
                    throw new ControlMessageTooLongException(MaxLineBytes);
                byte[] line = buffer.Slice(0, end).ToArray();
                reader.AdvanceTo(buffer.GetPosition(1, end));
                return line;
            }
            if (buffer.Length > MaxLineBytes)
                throw new ControlMessageTooLongException(MaxLineBytes);
            if (result.IsCompleted)
            {
                bool partial = !buffer.IsEmpty;
                reader.AdvanceTo(buffer.End);
                if (partial) throw new InvalidDataException("the peer closed the connection in the middle of a message");
                return null;
            }
            reader.AdvanceTo(buffer.Start, buffer.End);
        }
    }

    public static T Parse<T>(byte[] line) where T : class =>
        JsonSerializer.Deserialize(line, typeof(T), ControlJsonContext.Default) as T
        ?? throw new InvalidDataException("an empty control message");
}

/// <summary>A control line over <see cref="ControlProtocol.MaxLineBytes"/>: refused with an error, then the connection closes.</summary>
public sealed class ControlMessageTooLongException(int limit)
    : IOException($"a control message longer than {limit} bytes");
