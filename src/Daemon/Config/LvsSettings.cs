namespace UserLvs.Daemon.Config;

/// <summary>
/// The keys of one block as read: value and line per key. A key whose value was bad is still
/// "seen", so that it is not also reported as missing.
/// </summary>
internal sealed class LvsSettings
{
    private readonly Dictionary<string, int> _seen = new(StringComparer.Ordinal);
    private readonly Dictionary<string, object> _values = new(StringComparer.Ordinal);

    public int? FirstLine(string key) => _seen.TryGetValue(key, out int line) ? line : null;

    public bool Seen(string key) => _seen.ContainsKey(key);

    public bool Has(string key) => _values.ContainsKey(key);

    public int LineOf(string key) => _seen.GetValueOrDefault(key);

    public void MarkSeen(string key, int line) => _seen[key] = line;

    public void Set(string key, object value) => _values[key] = value;

    public T Get<T>(string key, T fallback) => _values.TryGetValue(key, out var value) ? (T)value : fallback;

    public T? Find<T>(string key) where T : struct => _values.TryGetValue(key, out var value) ? (T)value : null;

    public string? Text(string key) => _values.TryGetValue(key, out var value) ? (string)value : null;
}
