namespace UserLvs.Forwarder.Nat;

/// <summary>What became of one received frame: every frame ends in exactly one of these, and is counted.</summary>
public enum FrameVerdict : byte
{
    /// <summary>Rewritten and sent out of the other port.</summary>
    Forwarded,
    /// <summary>Answered by UserLvs itself (an ARP reply for a VIP).</summary>
    Answered,
    /// <summary>Not UserLvs's traffic: left to the kernel, which sees every frame anyway.</summary>
    LeftToKernel,
    /// <summary>Refused, with a <see cref="DropReason"/>.</summary>
    Dropped,
}
