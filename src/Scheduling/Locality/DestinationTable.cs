namespace UserLvs.Scheduling;

/// <summary>
/// The destination-address cache of lblc and lblcr (IPVS's ip_vs_lblc_table / ip_vs_lblcr_table):
/// destination address -> payload (a server id for lblc, a server set for lblcr), with IPVS's
/// garbage collection.
///
///   lookup      hash(address ^ seed) -> linear probe of at most <see cref="MaxProbes"/> slots,
///               stopping at a never-used slot: O(1), lock-free, no allocation
///   new entry   claim the first free slot of the probe window with one CompareExchange on its
///               tag (address, state); no free slot = not cached, as IPVS when kmalloc fails
///   collection  every CHECK_EXPIRE_INTERVAL (60 s), ip_vs_lblc_check_expire's rules exactly:
///               every COUNT_FOR_FULL_EXPIRATION (30th) tick without partial collection, drop
///               every entry unused for the expiration (24 h); otherwise, while there are more
///               than max_size (IP_VS_LBLC_TAB_SIZE * 16 = 16384) entries, drop entries unused
///               for ENTRY_TIMEOUT (6 min), bucket after bucket from a rover, until
///               min((entries - max_size) * 4 / 3, max_size / 2) are gone.
///
/// IPVS chains entries in 1024 buckets without limit; here the table has 2 * max_size slots
/// (a power of two), so the count can pass max_size as in IPVS and the partial check has
/// something to trim, and a kernel "bucket" is a run of 32 slots for the rover. A slot's tag is
/// Empty (never used), Writing, Live or Dead: dead slots are reused by new entries and turned
/// back into Empty by the sweep when the slot after them is Empty (no probe can need them).
/// Races between a claim and the sweep can at worst leave a duplicate entry that no lookup
/// reaches; it costs one slot until it expires.
/// </summary>
internal sealed class DestinationTable<TPayload> where TPayload : struct
{
    /// <summary>IP_VS_LBLC_TAB_BITS / IP_VS_LBLCR_TAB_BITS: 1024 buckets.</summary>
    public const int TableBits = 10;
    public const int BucketCount = 1 << TableBits;

    /// <summary>tbl->max_size = IP_VS_LBLC_TAB_SIZE * 16.</summary>
    public const int MaxSize = BucketCount * 16;

    /// <summary>Room for twice max_size, so the count can exceed max_size as IPVS's chains do.</summary>
    public const int SlotCount = MaxSize * 2;

    /// <summary>Slots a lookup or claim may probe; bounds the cost of a miss.</summary>
    public const int MaxProbes = 16;

    /// <summary>COUNT_FOR_FULL_EXPIRATION: a full check after 30 ticks without partial collection.</summary>
    public const int CountForFullExpiration = 30;

    /// <summary>CHECK_EXPIRE_INTERVAL: the collection timer's period.</summary>
    public static readonly TimeSpan CheckExpireInterval = TimeSpan.FromSeconds(60);

    /// <summary>ENTRY_TIMEOUT: what the partial check drops when the table is over max_size.</summary>
    public static readonly TimeSpan EntryTimeout = TimeSpan.FromMinutes(6);

    /// <summary>DEFAULT_EXPIRATION, the default of the lblc_expiration and lblcr_expiration sysctls.</summary>
    public static readonly TimeSpan DefaultExpiration = TimeSpan.FromHours(24);

    private const long StateMask = 3;
    private const long Empty = 0;
    private const long Writing = 1;
    private const long Live = 2;
    private const long Dead = 3;

    private readonly Entry[] _slots;
    private readonly int _mask;
    private readonly int _slotsPerBucket;
    private readonly uint _seed;
    private readonly long _checkInterval;
    private readonly long _entryTimeout;
    private int _count;

    // Collection state (tbl->rover, tbl->counter); only the timer callback touches it, under _collectGate.
    private readonly object _collectGate = new();
    private int _rover;
    private int _counter = 1;
    private long _nextCheck;

    public DestinationTable(TimeProvider clock, uint seed, TimeSpan expiration)
    {
        _slots = new Entry[SlotCount];
        _mask = SlotCount - 1;
        _slotsPerBucket = SlotCount / BucketCount;
        _seed = seed;
        Expiration = ToTimestamp(expiration, clock);
        _checkInterval = ToTimestamp(CheckExpireInterval, clock);
        _entryTimeout = ToTimestamp(EntryTimeout, clock);
        _nextCheck = clock.GetTimestamp() + _checkInterval;
    }

    /// <summary>The expiration (lblc_expiration / lblcr_expiration) in the clock's timestamp units.</summary>
    public long Expiration { get; }

    /// <summary>Live entries plus the ones being written (atomic_read(&amp;tbl->entries)).</summary>
    public int Count => Volatile.Read(ref _count);

    /// <summary>The slot of the live entry for <paramref name="address"/>, or -1.</summary>
    public int Find(uint address)
    {
        long live = Tag(address, Live);
        int slot = Home(address);
        for (int i = 0; i < MaxProbes; i++, slot = (slot + 1) & _mask)
        {
            long tag = Volatile.Read(ref _slots[slot].Tag);
            if (tag == live) return slot;
            if ((tag & StateMask) == Empty) return -1;
        }
        return -1;
    }

    /// <summary>
    /// True while <paramref name="slot"/> still holds the live entry for <paramref name="address"/>:
    /// a reader checks this after reading the payload, so a slot reused meanwhile reads as a miss.
    /// </summary>
    public bool Holds(int slot, uint address) => Volatile.Read(ref _slots[slot].Tag) == Tag(address, Live);

    /// <summary>en->lastuse = jiffies: a plain atomic store, as IPVS does under its read lock.</summary>
    public void Touch(int slot, long now) => Volatile.Write(ref _slots[slot].LastUse, now);

    public ref TPayload Payload(int slot) => ref _slots[slot].Payload;

    /// <summary>
    /// Finds the live entry for <paramref name="address"/> (<paramref name="created"/> false) or
    /// claims a free slot for it in the Writing state (<paramref name="created"/> true: fill the
    /// payload, then <see cref="Publish"/> or <see cref="Abandon"/>). -1 when the probe window is
    /// full or another thread is creating the same entry: the caller just does not cache.
    /// </summary>
    public int Claim(uint address, long now, out bool created)
    {
        created = false;
        for (int attempt = 0; attempt < 4; attempt++)
        {
            int free = -1;
            long freeTag = 0;
            int slot = Home(address);
            for (int i = 0; i < MaxProbes; i++, slot = (slot + 1) & _mask)
            {
                long tag = Volatile.Read(ref _slots[slot].Tag);
                long state = tag & StateMask;
                if (state == Empty || state == Dead)
                {
                    if (free < 0) (free, freeTag) = (slot, tag);
                    if (state == Empty) break;
                    continue;
                }
                if (KeyOf(tag) == address) return state == Live ? slot : -1;
            }
            if (free < 0) return -1;
            if (Interlocked.CompareExchange(ref _slots[free].Tag, Tag(address, Writing), freeTag) != freeTag) continue;
            Volatile.Write(ref _slots[free].LastUse, now);
            Interlocked.Increment(ref _count);
            created = true;
            return free;
        }
        return -1;
    }

    /// <summary>Makes a claimed slot visible to lookups, after its payload is written.</summary>
    public void Publish(int slot, uint address) => Volatile.Write(ref _slots[slot].Tag, Tag(address, Live));

    /// <summary>Gives a claimed slot back without publishing it.</summary>
    public void Abandon(int slot, uint address)
    {
        Volatile.Write(ref _slots[slot].Tag, Tag(address, Dead));
        Interlocked.Decrement(ref _count);
    }

    /// <summary>How long until the next collection tick is due, so a scheduler that takes the table over keeps its phase.</summary>
    public TimeSpan DueIn(TimeProvider clock)
    {
        long wait;
        lock (_collectGate) wait = _nextCheck - clock.GetTimestamp();
        return wait <= 0 ? TimeSpan.Zero : clock.GetElapsedTime(0, wait);
    }

    /// <summary>ip_vs_lblc_check_expire / ip_vs_lblcr_check_expire: one tick of the collection timer.</summary>
    public void CheckExpire(long now)
    {
        lock (_collectGate)
        {
            // Two schedulers' timers can overlap for a moment when one takes the table over from
            // the other; a tick well before the one due is that duplicate. Due times stay on one
            // minute grid, so a late tick does not push the next one back.
            if (now < _nextCheck - _checkInterval / 2) return;
            do _nextCheck += _checkInterval; while (_nextCheck <= now);

            if (_counter % CountForFullExpiration == 0)
            {
                Sweep(now, Expiration, goal: int.MaxValue);
                _counter = 1;
                return;
            }
            int entries = Count;
            if (entries <= MaxSize)
            {
                _counter++;
                return;
            }
            int goal = Math.Min((entries - MaxSize) * 4 / 3, MaxSize / 2);
            Sweep(now, _entryTimeout, goal);
        }
    }

    /// <summary>Walks the buckets from the rover, dropping entries unused for <paramref name="idle"/>, until <paramref name="goal"/> are gone.</summary>
    private void Sweep(long now, long idle, int goal)
    {
        int bucket = _rover;
        for (int i = 0; i < BucketCount; i++)
        {
            bucket = (bucket + 1) & (BucketCount - 1);
            goal -= SweepBucket(bucket, now, idle);
            if (goal <= 0) break;
        }
        _rover = bucket;
    }

    private int SweepBucket(int bucket, long now, long idle)
    {
        int removed = 0;
        int first = bucket * _slotsPerBucket;
        // Backwards, so a run of dead slots before an empty one is emptied in one pass.
        for (int slot = first + _slotsPerBucket - 1; slot >= first; slot--)
        {
            ref Entry entry = ref _slots[slot];
            long tag = Volatile.Read(ref entry.Tag);
            long state = tag & StateMask;
            // time_before(now, lastuse + idle) keeps the entry; otherwise it goes.
            if (state == Live && now - Volatile.Read(ref entry.LastUse) >= idle
                && Interlocked.CompareExchange(ref entry.Tag, (tag & ~StateMask) | Dead, tag) == tag)
            {
                Interlocked.Decrement(ref _count);
                removed++;
                tag = (tag & ~StateMask) | Dead;
                state = Dead;
            }
            if (state == Dead && (Volatile.Read(ref _slots[(slot + 1) & _mask].Tag) & StateMask) == Empty)
                Interlocked.CompareExchange(ref entry.Tag, Empty, tag);
        }
        return removed;
    }

    private int Home(uint address)
    {
        // A seeded 32-bit mix (lowbias32): IPVS uses hash_32 of the address; the seed keeps
        // chosen addresses from piling into one probe window.
        uint x = address ^ _seed;
        x ^= x >> 16;
        x *= 0x7feb352d;
        x ^= x >> 15;
        x *= 0x846ca68b;
        x ^= x >> 16;
        return (int)(x & (uint)_mask);
    }

    private static long Tag(uint address, long state) => (long)((ulong)address << 32) | state;

    private static uint KeyOf(long tag) => (uint)((ulong)tag >> 32);

    private static long ToTimestamp(TimeSpan span, TimeProvider clock) =>
        (long)((Int128)span.Ticks * clock.TimestampFrequency / TimeSpan.TicksPerSecond);

    private struct Entry
    {
        public long Tag;
        public long LastUse;
        public TPayload Payload;
    }
}
