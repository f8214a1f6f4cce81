using System.Text.Json.Serialization;

namespace UserLvs.Control;

/// <summary>
/// Source-generated System.Text.Json metadata for every control-protocol record, so the socket
/// client and the daemon serialise them without reflection (trimming- and AOT-safe). Enums travel
/// by name ("Tcp", "Masquerade", "Flag1, Flag2") so a payload reads plainly in a log.
/// </summary>
[JsonSourceGenerationOptions(UseStringEnumConverter = true)]
[JsonSerializable(typeof(ServiceKey))]
[JsonSerializable(typeof(ServiceSettings))]
[JsonSerializable(typeof(ServerSettings))]
[JsonSerializable(typeof(ServiceInfo))]
[JsonSerializable(typeof(ServiceTableInfo))]
[JsonSerializable(typeof(IReadOnlyList<ConnectionInfo>))]
[JsonSerializable(typeof(Timeouts))]
[JsonSerializable(typeof(RouterStatus))]
[JsonSerializable(typeof(ControlRequest))]
[JsonSerializable(typeof(ControlResponse))]
public sealed partial class ControlJsonContext : JsonSerializerContext;
