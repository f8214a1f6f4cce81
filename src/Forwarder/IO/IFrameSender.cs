namespace UserLvs.Forwarder.IO;

/// <summary>
/// Sends one complete Ethernet frame now, outside the workers' rings: the control plane's own
/// low-rate frames (gratuitous ARP, ARP requests). <see cref="LinkLayerSender"/> is the real one;
/// tests record the frames.
/// </summary>
public interface IFrameSender
{
    void Send(ReadOnlySpan<byte> frame);
}
