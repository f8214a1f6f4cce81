namespace UserLvs.Scheduling;

/// <summary>
/// Stable small ids for the real servers an lblc/lblcr cache refers to. IPVS's cache entries
/// point at ip_vs_dest objects that outlive a change of the destination list (a removed one
/// waits in the trash and comes back if re-added); here an entry holds an id given per endpoint
/// (address, port), and each scheduler instance gets a <see cref="ServerView"/> that maps ids to
/// its own list. The directory is shared by every scheduler that takes the cache over and only
/// grows; ids are assigned when a scheduler is built (control plane, under a lock), never per pick.
/// </summary>
internal sealed class ServerDirectory
{
    private readonly object _gate = new();
    private readonly Dictionary<(IPv4Address Address, ushort Port), int> _ids = [];
    private readonly List<RealServer> _lastKnown = [];

    /// <summary>Gives every server of the list an id and builds the view of this list. O(ids).</summary>
    public ServerView Bind(IReadOnlyList<RealServer> servers)
    {
        lock (_gate)
        {
            var idByIndex = new int[servers.Count];
            for (int i = 0; i < servers.Count; i++)
            {
                var server = servers[i];
                if (!_ids.TryGetValue((server.Address, server.Port), out int id))
                {
                    id = _lastKnown.Count;
                    _ids.Add((server.Address, server.Port), id);
                    _lastKnown.Add(server);
                }
                else
                {
                    _lastKnown[id] = server;
                }
                idByIndex[i] = id;
            }
            var indexById = new int[_lastKnown.Count];
            Array.Fill(indexById, -1);
            for (int i = 0; i < idByIndex.Length; i++) indexById[idByIndex[i]] = i;
            return new ServerView(servers, idByIndex, indexById, [.. _lastKnown]);
        }
    }
}

/// <summary>One scheduler's reading of server ids: O(1) array lookups, no allocation.</summary>
internal sealed class ServerView(IReadOnlyList<RealServer> servers, int[] idByIndex, int[] indexById, RealServer[] lastKnown)
{
    public int IdOf(int index) => idByIndex[index];

    /// <summary>
    /// The server with this id in this scheduler's list, or null when it is not in the list
    /// (IPVS: the destination is in the trash, no longer IP_VS_DEST_CF_AVAILABLE).
    /// </summary>
    public RealServer? Listed(int id)
    {
        if ((uint)id >= (uint)indexById.Length) return null;
        int index = indexById[id];
        return index < 0 ? null : servers[index];
    }

    /// <summary>
    /// The server with this id, listed or not: a removed one as it was last configured, with its
    /// live counters (IPVS keeps weighing a trashed destination in ip_vs_dest_set_max).
    /// </summary>
    public RealServer? Known(int id) => (uint)id < (uint)lastKnown.Length ? lastKnown[id] : null;
}
