namespace FuncExec.Journal;

/// <summary>How <see cref="JournalFactory.Open"/> opens a journal.</summary>
/// <remarks>Default: no state folder (no marker kept), no fresh start.</remarks>
internal sealed record JournalOptions
{
    /// <summary>The scheduler's state folder (<c>scheduler-PORT</c>): the default SQLite journal lives there, and a
    /// marker there remembers which journal this scheduler created, so a journal deleted later is refused instead of
    /// silently replaced by an empty one. Null for none.</summary>
    public string? StateFolder { get; init; }

    /// <summary><c>--fresh-journal</c>: a journal that is corrupt, of another schema version, or missing is moved aside
    /// (renamed with a timestamp) and a new empty one started.</summary>
    public bool Fresh { get; init; }
}
