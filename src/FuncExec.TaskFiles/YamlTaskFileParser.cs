using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace FuncExec.TaskFiles;

/// <summary>Reads YAML text into <see cref="TaskFileNode"/>s with the line and column of each, one task at a time.</summary>
/// <remarks>
/// This walks YamlDotNet's event parser rather than its representation model: the model fails
/// on a repeated key with a message of its own and turns an alias inside its own anchor
/// (<c>&amp;a [*a]</c>) into a cyclic graph. Here an anchor becomes usable only once its node is
/// complete, so the nodes always form a tree.
/// </remarks>
internal sealed class YamlTaskFileParser : ITaskFileStream
{
    private const string StringTag = "tag:yaml.org,2002:str";
    private const string TasksKey = "tasks";

    private readonly string _path;
    private readonly Parser _parser;
    private readonly Dictionary<string, TaskFileNode> _anchors = new(StringComparer.Ordinal);

    // While the task list is read: the list, its anchor (usable once it is complete), the depth of its items,
    // and the top-level mapping that holds it, whose other keys are read after it.
    private TaskFileSequence? _streamed;
    private string _streamedAnchor = string.Empty;
    private int _itemDepth;
    private TaskFileMapping? _root;
    private string _rootAnchor = string.Empty;

    /// <summary>Reads YAML from <paramref name="reader"/>, naming <paramref name="path"/> in errors.</summary>
    public YamlTaskFileParser(TextReader reader, string path)
    {
        _path = path;
        _parser = new Parser(reader);
    }

    private static (int Line, int Column) Position(ParsingEvent parsingEvent) =>
        ((int)parsingEvent.Start.Line, (int)parsingEvent.Start.Column);

    /// <inheritdoc />
    /// <exception cref="TaskFileException">The text is not valid YAML, holds more than one
    /// document, repeats a key or uses an undefined alias.</exception>
    public TaskFileNode? Start()
    {
        try
        {
            _parser.Consume<StreamStart>();
            if (_parser.TryConsume<StreamEnd>(out _))
            {
                return null;
            }

            _parser.Consume<DocumentStart>();
            if (_parser.Accept<SequenceStart>(out _))
            {
                return BeginList(depth: 1);
            }

            if (_parser.Accept<MappingStart>(out _))
            {
                var (line, column) = Position(_parser.Current!);
                var start = _parser.Consume<MappingStart>();
                _root = new TaskFileMapping(line, column);
                _rootAnchor = start.Anchor.IsEmpty ? string.Empty : start.Anchor.Value;
                if (!ReadRootEntries())
                {
                    EndDocument();
                }

                return _root;
            }

            var root = ReadNode(depth: 1);
            EndDocument();
            return root;
        }
        catch (YamlException e)
        {
            throw Invalid(e);
        }
    }

    /// <inheritdoc />
    public TaskFileNode? NextTask()
    {
        if (_streamed is null)
        {
            return null;
        }

        try
        {
            if (!_parser.TryConsume<SequenceEnd>(out _))
            {
                return ReadNode(_itemDepth);
            }

            if (_streamedAnchor.Length > 0)
            {
                _anchors[_streamedAnchor] = _streamed;
            }

            _streamed = null;
            if (_root is not null)
            {
                ReadRootEntries();
            }

            EndDocument();
            return null;
        }
        catch (YamlException e)
        {
            throw Invalid(e);
        }
    }

    private TaskFileException Invalid(YamlException e) =>
        new(_path, (int)e.Start.Line, (int)e.Start.Column, $"invalid YAML: {e.Message}", e);

    private TaskFileSequence BeginList(int depth)
    {
        var (line, column) = Position(_parser.Current!);
        var start = _parser.Consume<SequenceStart>();
        _streamed = new TaskFileSequence(line, column, isStreamed: true);
        _streamedAnchor = start.Anchor.IsEmpty ? string.Empty : start.Anchor.Value;
        _itemDepth = depth + 1;
        return _streamed;
    }

    /// <summary>Reads the top-level mapping's entries up to its end, or up to the first task of a
    /// <c>tasks:</c> list (then true: the list is streamed, and this is called again after it).</summary>
    private bool ReadRootEntries()
    {
        var root = _root!;
        while (!_parser.TryConsume<MappingEnd>(out _))
        {
            var keyNode = ReadNode(depth: 2);
            if (keyNode is not TaskFileScalar key)
            {
                throw new TaskFileException(
                    _path, keyNode.Line, keyNode.Column, $"a key must be a name, not {keyNode.Describe()}");
            }

            if (key.Text == TasksKey && root.Get(TasksKey) is null && _parser.Accept<SequenceStart>(out _))
            {
                root.TryAdd(key, BeginList(depth: 2), out _);
                return true;
            }

            var value = ReadNode(depth: 2);
            if (!root.TryAdd(key, value, out var first))
            {
                throw TaskFileErrors.DuplicateKey(_path, key, first);
            }
        }

        if (_rootAnchor.Length > 0)
        {
            _anchors[_rootAnchor] = root;
        }

        return false;
    }

    private void EndDocument()
    {
        _parser.Consume<DocumentEnd>();
        if (_parser.Accept<DocumentStart>(out var second))
        {
            var (line, column) = Position(second);
            throw new TaskFileException(
                _path, line, column, "the file holds more than one YAML document; put all tasks in one list under a single 'tasks:'");
        }
    }

    private TaskFileNode ReadNode(int depth)
    {
        var current = _parser.Current!;
        var (line, column) = Position(current);
        if (depth > TaskFileErrors.MaxDepth)
        {
            throw new TaskFileException(_path, line, column, $"values are nested more than {TaskFileErrors.MaxDepth} levels deep");
        }

        TaskFileNode node;
        string anchor;
        if (_parser.TryConsume<AnchorAlias>(out var alias))
        {
            var name = alias.Value.Value;
            return _anchors.TryGetValue(name, out var target)
                ? target
                : throw new TaskFileException(
                    _path, line, column, $"alias '*{name}' refers to no anchor; define '&{name}' on a complete value before this point");
        }
        else if (_parser.TryConsume<Scalar>(out var scalar))
        {
            // A plain scalar is typed by its text; a quoted or block scalar, or one tagged !!str
            // or with the non-specific tag '!', is a string.
            var isQuoted = scalar.Style is not (ScalarStyle.Plain or ScalarStyle.Any)
                || scalar.Tag.IsNonSpecific
                || (!scalar.Tag.IsEmpty && scalar.Tag.Value == StringTag);
            node = new TaskFileScalar(scalar.Value, isQuoted, line, column);
            anchor = scalar.Anchor.IsEmpty ? string.Empty : scalar.Anchor.Value;
        }
        else if (_parser.TryConsume<SequenceStart>(out var sequenceStart))
        {
            var sequence = new TaskFileSequence(line, column);
            while (!_parser.TryConsume<SequenceEnd>(out _))
            {
                sequence.Add(ReadNode(depth + 1));
            }

            node = sequence;
            anchor = sequenceStart.Anchor.IsEmpty ? string.Empty : sequenceStart.Anchor.Value;
        }
        else
        {
            var mappingStart = _parser.Consume<MappingStart>();
            var mapping = new TaskFileMapping(line, column);
            while (!_parser.TryConsume<MappingEnd>(out _))
            {
                var keyNode = ReadNode(depth + 1);
                if (keyNode is not TaskFileScalar key)
                {
                    throw new TaskFileException(
                        _path, keyNode.Line, keyNode.Column, $"a key must be a name, not {keyNode.Describe()}");
                }

                var value = ReadNode(depth + 1);
                if (!mapping.TryAdd(key, value, out var first))
                {
                    throw TaskFileErrors.DuplicateKey(_path, key, first);
                }
            }

            node = mapping;
            anchor = mappingStart.Anchor.IsEmpty ? string.Empty : mappingStart.Anchor.Value;
        }

        if (anchor.Length > 0)
        {
            _anchors[anchor] = node;
        }

        return node;
    }
}
