namespace FuncExec.TaskFiles;

/// <summary>
/// A task file read front to back, one task at a time: the list of tasks is never held whole,
/// so a file of a million tasks costs the memory of one.
/// </summary>
/// <remarks>
/// <see cref="Start"/> reads up to the first task. When the file's tasks are a list (the whole
/// file, or the value of a top-level <c>tasks:</c>), that list comes back as an empty
/// <see cref="TaskFileSequence"/> with <see cref="TaskFileSequence.IsStreamed"/> set, and its
/// items come from <see cref="NextTask"/>; the rest of the top level is read after the last
/// task. Anything else (a scalar, <c>tasks: 3</c>) is read whole by <see cref="Start"/>.
/// </remarks>
internal interface ITaskFileStream
{
    /// <summary>The top level with the task list left out, or null when the file holds no document.</summary>
    /// <exception cref="TaskFileException">The file is not valid YAML or JSON up to there.</exception>
    TaskFileNode? Start();

    /// <summary>The next task of the streamed list, or null after the last one, once the rest of
    /// the file is read.</summary>
    /// <exception cref="TaskFileException">The file is not valid YAML or JSON up to the end of that task.</exception>
    TaskFileNode? NextTask();
}
