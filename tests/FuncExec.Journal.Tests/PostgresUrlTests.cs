using FuncExec.Journal.Postgres;
using FuncExec.Scheduler.Journal;
using Npgsql;

namespace FuncExec.Journal.Tests;

public sealed class PostgresUrlTests
{
    [Theory]
    [InlineData("postgres://ann:secret@db.example:6543/jobs")]
    [InlineData("postgresql://ann:secret@db.example:6543/jobs")]
    [InlineData("POSTGRES://ann:secret@db.example:6543/jobs")]
    public void Parse_FullUrl_ReadsEveryPart(string url)
    {
        var settings = PostgresUrl.Parse(url);

        Assert.Equal(("db.example", 6543, "jobs", "ann", "secret"), (settings.Host, settings.Port, settings.Database, settings.Username, settings.Password));
    }

    [Fact]
    public void Parse_EscapedPasswordNoPortAndSslMode_UnescapesAndDefaults()
    {
        var settings = PostgresUrl.Parse("postgres://ann:p%40ss%3Aw%2Frd%25@10.0.0.5/my%20db?sslmode=verify-full");

        Assert.Equal("p@ss:w/rd%", settings.Password);
        Assert.Equal(5432, settings.Port);
        Assert.Equal("my db", settings.Database);
        Assert.Equal(SslMode.VerifyFull, settings.SslMode);
    }

    [Fact]
    public void Parse_NoPassword_LeavesItForPgpassOrTheEnvironment()
    {
        var settings = PostgresUrl.Parse("postgres://ann@[::1]:5433/jobs");

        Assert.Null(settings.Password);
        Assert.Equal(("::1", 5433), (settings.Host, settings.Port));
        Assert.Equal("postgres [::1]:5433/jobs", PostgresUrl.Describe(settings));
    }

    [Theory]
    [InlineData("mysql://ann:secret@host/jobs", "postgres://")]
    [InlineData("postgres://ann:secret@host", "names no database")]
    [InlineData("postgres://ann:secret@host/", "names no database")]
    [InlineData("postgres://ann:secret@host/jobs?sslmode=sometimes", "sslmode=sometimes")]
    [InlineData("postgres://ann:secret@host/jobs?pool=9", "'pool'")]
    [InlineData("postgres://:secret@host/jobs", "user name")]
    [InlineData("postgres://ann:secret@host:99999/jobs", "percent-encoded")]
    public void Parse_Malformed_SaysWhatIsWrongWithoutThePassword(string url, string expected)
    {
        var refused = Assert.Throws<JournalException>(() => PostgresUrl.Parse(url));

        Assert.Contains(expected, refused.Message, StringComparison.Ordinal);
        Assert.Contains("postgres://USER:PASSWORD@HOST:PORT/DATABASE", refused.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("secret", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Open_Malformed_ThrowsBeforeConnecting()
    {
        Assert.Throws<JournalException>(() => PostgresJournal.Open("postgres://host-without-database"));
    }
}
