using UserLvs.Health.Checks;

namespace UserLvs.Health.Tests.Checks;

public sealed class ProgramCommandLineTests
{
    [Fact]
    public void Split_SeparatesWordsAtBlanks_AndKeepsQuotedTextWhole() =>
        Assert.Equal(["/bin/sh", "-c", "curl -sf http://%h:%p/ | grep \"ok\"", "x y", "a'b"],
            ProgramCommandLine.Split("""  /bin/sh -c 'curl -sf http://%h:%p/ | grep "ok"'  "x y" a\'b """));

    [Fact]
    public void Split_DoubleQuotesAllowEscapedQuotesAndBackslashes() =>
        Assert.Equal(["say", "a \"b\" \\c"], ProgramCommandLine.Split("""say "a \"b\" \\c" """));

    [Theory]
    [InlineData("'open")]
    [InlineData("\"open")]
    [InlineData("   ")]
    public void Split_RefusesUnterminatedQuotesAndEmptyLines(string line) =>
        Assert.Throws<FormatException>(() => ProgramCommandLine.Split(line));

    [Fact]
    public void Substitute_ReplacesAddressPortAndPercent() =>
        Assert.Equal("10.0.0.11:8080 100%", ProgramCommandLine.Substitute("%h:%p 100%%", "10.0.0.11", 8080));

    [Fact]
    public void Substitute_AfterSplitting_AnAddressStaysOneWord()
    {
        var words = ProgramCommandLine.Split("check --host=%h");
        Assert.Equal(["check", "--host=10.0.0.11"], words.Select(w => ProgramCommandLine.Substitute(w, "10.0.0.11", 80)));
    }
}
