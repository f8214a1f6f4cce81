using System.Net;
using System.Net.Sockets;
using UserLvs.Daemon.Hosting;
using UserLvs.Daemon.Metrics;
using UserLvs.Scheduling;

namespace UserLvs.Daemon.Tests.Metrics;

/// <summary>--metrics ADDR:PORT: what is accepted, what is refused and how the refusal reads; start and stop.</summary>
public class MetricsAddressTests
{
    [Theory]
    [InlineData("127.0.0.1:9100", "127.0.0.1", 9100)]
    [InlineData("0.0.0.0:9100", "0.0.0.0", 9100)]
    [InlineData(":9100", "0.0.0.0", 9100)]
    [InlineData("[::1]:9100", "::1", 9100)]
    [InlineData("192.0.2.1:0", "192.0.2.1", 0)]
    [InlineData("10.1.2.3:65535", "10.1.2.3", 65535)]
    public void Parse_AcceptsNumericAddressAndPort(string text, string address, int port)
    {
        var parsed = MetricsAddress.Parse(text);

        Assert.Equal(IPAddress.Parse(address), parsed.Address);
        Assert.Equal(port, parsed.Port);
    }

    [Theory]
    [InlineData("", "--metrics needs ADDR:PORT")]
    [InlineData("9100", "--metrics '9100' is not ADDR:PORT")]
    [InlineData("127.0.0.1", "--metrics '127.0.0.1' is not ADDR:PORT")]
    [InlineData("localhost:9100", "'localhost' is not a numeric IPv4 or bracketed IPv6 address")]
    [InlineData("10:9100", "'10' is not a numeric IPv4 or bracketed IPv6 address")]
    [InlineData("256.0.0.1:9100", "'256.0.0.1' is not a numeric IPv4")]
    [InlineData("127.0.0.1:65536", "the port '65536' is not a number from 0 to 65535")]
    [InlineData("127.0.0.1:http", "the port 'http' is not a number from 0 to 65535")]
    [InlineData("127.0.0.1:-1", "the port '-1' is not a number from 0 to 65535")]
    [InlineData("::1:9100", "write an IPv6 address in brackets, as [::1]:9100")]
    public void Parse_RefusesWithAClearMessage(string text, string message)
    {
        var error = Assert.Throws<FormatException>(() => MetricsAddress.Parse(text));

        Assert.Contains(message, error.Message);
    }

    [Fact]
    public void Start_BadAddress_IsRefusedBeforeListening()
    {
        var error = Assert.Throws<FormatException>(() => MetricsEndpoint.Start("localhost:9100", new ServiceTable(), () => new ForwarderTotals()));

        Assert.Equal("--metrics 'localhost:9100': 'localhost' is not a numeric IPv4 or bracketed IPv6 address (e.g. 127.0.0.1:9100, [::1]:9100 or :9100 for every address)", error.Message);
    }

    [Fact]
    public void Start_PortAlreadyTaken_IsRefusedNamingTheAddress()
    {
        using var holder = new TcpListener(IPAddress.Loopback, 0);
        holder.Start();
        int port = ((IPEndPoint)holder.LocalEndpoint).Port;

        var error = Assert.Throws<InvalidOperationException>(() =>
            MetricsEndpoint.Start($"127.0.0.1:{port}", new ServiceTable(), () => new ForwarderTotals()));

        Assert.StartsWith($"cannot serve metrics on 127.0.0.1:{port}: ", error.Message);
    }

    [Fact]
    public async Task Start_PortZero_GetsAFreePortAndServesMetricsThere()
    {
        using var endpoint = MetricsEndpoint.Start("127.0.0.1:0", new ServiceTable(), () => new ForwarderTotals());
        using var http = new HttpClient();

        Assert.NotEqual(0, endpoint.Address.Port);
        Assert.Equal(new Uri($"http://127.0.0.1:{endpoint.Address.Port}/metrics"), endpoint.Url);
        Assert.Contains("node_ipvs_connections_total 0\n", await http.GetStringAsync(endpoint.Url));
    }

    [Fact]
    public async Task Start_EveryAddress_AnswersOnLoopbackWhateverTheHostHeader()
    {
        using var endpoint = MetricsEndpoint.Start(":0", new ServiceTable(), () => new ForwarderTotals());
        using var http = new HttpClient();

        Assert.True(endpoint.Address.IsWildcard);
        Assert.Contains("userlvs_virtual_services 0\n", await http.GetStringAsync($"http://127.0.0.1:{endpoint.Address.Port}/metrics"));
        Assert.Contains("userlvs_virtual_services 0\n", await http.GetStringAsync($"http://localhost:{endpoint.Address.Port}/metrics"));
    }

    [Fact]
    public async Task Dispose_StopsServing_AndFreesThePort()
    {
        var endpoint = MetricsEndpoint.Start("127.0.0.1:0", new ServiceTable(), () => new ForwarderTotals());
        var address = endpoint.Address;
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        await http.GetStringAsync(endpoint.Url);

        endpoint.Dispose();
        await Assert.ThrowsAsync<HttpRequestException>(() => http.GetStringAsync(endpoint.Url));

        using var again = MetricsEndpoint.Start(address, new ServiceTable(), () => new ForwarderTotals());
        Assert.Contains("userlvs_virtual_services 0\n", await http.GetStringAsync(again.Url));
    }
}
