namespace FuncExec.Journal;

/// <summary>The file a scheduler's SQLite journal has in its state folder when <c>--journal</c> names none.</summary>
internal static class JournalNames
{
    /// <summary>The journal's file name.</summary>
    public const string DefaultFileName = "journal.db";
}
