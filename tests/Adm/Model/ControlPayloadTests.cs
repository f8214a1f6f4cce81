using System.Text.Json;

namespace UserLvs.Adm.Tests.Model;

/// <summary>The control protocol's records travel as JSON through the source-generated context, enums by name, and come back equal.</summary>
public class ControlPayloadTests
{
    private static readonly ServiceTableInfo Table = new(4096,
    [
        new ServiceInfo(
            new ServiceSettings(Protocol.Tcp, "192.0.2.10", 443, "sh", SchedulerFlags.Flag1 | SchedulerFlags.Flag2, 1800, "255.255.255.0"),
            new StatsInfo(1, 2, 3, 4, 5, 6, 7, 8, 9, ulong.MaxValue),
            [new ServerInfo(new ServerSettings("10.0.0.1", 443, ForwardingMethod.Masquerade, 65535, 100, 50), 2, 7, 3, StatsInfo.Zero)]),
    ]);

    [Fact]
    public void ServiceTable_RoundTrips_WithEnumsByName()
    {
        string json = JsonSerializer.Serialize(Table, ControlJsonContext.Default.ServiceTableInfo);
        Assert.Contains("\"Protocol\":\"Tcp\"", json);
        Assert.Contains("\"ForwardingMethod\":\"Masquerade\"", json);
        Assert.Contains("\"SchedulerFlags\":\"Flag1, Flag2\"", json);
        Assert.DoesNotContain("\"Key\"", json);              // derived members stay out of the payload
        var back = JsonSerializer.Deserialize(json, ControlJsonContext.Default.ServiceTableInfo)!;
        Assert.Equal(json, JsonSerializer.Serialize(back, ControlJsonContext.Default.ServiceTableInfo));
        Assert.Equal(Table.Services[0].Settings, back.Services[0].Settings);
        Assert.Equal(Table.Services[0].Servers[0], back.Services[0].Servers[0]);
    }

    [Fact]
    public void RequestsAndSmallAnswers_RoundTrip()
    {
        var key = new ServiceKey(Protocol.Udp, "192.0.2.10", 53);
        Assert.Equal(key, JsonSerializer.Deserialize(JsonSerializer.Serialize(key, ControlJsonContext.Default.ServiceKey), ControlJsonContext.Default.ServiceKey));
        var timeouts = new Timeouts(900, 120, 300);
        Assert.Equal(timeouts, JsonSerializer.Deserialize(JsonSerializer.Serialize(timeouts, ControlJsonContext.Default.Timeouts), ControlJsonContext.Default.Timeouts));
        IReadOnlyList<ConnectionInfo> connections = [new(Protocol.Tcp, "203.0.113.7", 40000, "192.0.2.10", 80, "10.0.0.1", 80, "ESTABLISHED", 899)];
        var back = JsonSerializer.Deserialize(JsonSerializer.Serialize(connections, ControlJsonContext.Default.IReadOnlyListConnectionInfo),
            ControlJsonContext.Default.IReadOnlyListConnectionInfo)!;
        Assert.Equal(connections[0], back[0]);
    }
}
