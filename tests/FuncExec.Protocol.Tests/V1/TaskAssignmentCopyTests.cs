using FuncExec.Protocol.V1;
using Google.Protobuf;
using Google.Protobuf.Reflection;

namespace FuncExec.Protocol.Tests.V1;

/// <summary>The copy of an assignment the scheduler posts to a node: every field, for each kind of function.</summary>
public sealed class TaskAssignmentCopyTests
{
    public static TheoryData<string> Functions => new() { "method", "code", "command", "lambda" };

    [Theory]
    [MemberData(nameof(Functions))]
    public void CopyForAttempt_EveryFieldSet_EqualsTheOriginal_SharesTheFunction_AndOwnsItsCores(string function)
    {
        var original = new TaskAssignment();
        foreach (var field in TaskAssignment.Descriptor.Fields.InDeclarationOrder())
        {
            // One member of the function's oneof at a time; every other field gets a value that is not its default.
            if (field.ContainingOneof is not null && field.Name != function)
            {
                continue;
            }

            SetNotDefault(original, field);
        }

        var copy = original.CopyForAttempt();

        Assert.Equal(original, copy);
        Assert.Equal(original.ToByteArray(), copy.ToByteArray());
        var sharedFunction = function switch
        {
            "method" => ReferenceEquals(original.Method, copy.Method),
            "code" => ReferenceEquals(original.Code, copy.Code),
            "command" => ReferenceEquals(original.Command, copy.Command),
            _ => ReferenceEquals(original.Lambda, copy.Lambda),
        };
        Assert.True(sharedFunction);

        // The scheduler's next attempt changes the original, not what was posted.
        original.Attempt++;
        original.Cores.Add(99);
        original.TaskName = "renamed";
        Assert.NotEqual(original.Attempt, copy.Attempt);
        Assert.DoesNotContain(99, copy.Cores);
        Assert.Equal("v-task_name", copy.TaskName);
    }

    [Fact]
    public void CopyForAttempt_FieldsThisBuildDoesNotKnow_FromAHostileClient_AreNotPassedToTheNode()
    {
        // What a client sent: a known field, then field 99 (varint 7) that no FuncExec build defines.
        var known = new TaskAssignment { TaskId = 5, TaskName = "t" }.ToByteArray();
        byte[] sent = [.. known, (99 << 3) & 0x7F | 0x80, 99 >> 4, 7];
        var parsed = TaskAssignment.Parser.ParseFrom(sent);
        Assert.Equal(sent.Length, parsed.CalculateSize());

        var copy = parsed.CopyForAttempt();

        Assert.Equal(known, copy.ToByteArray());
        Assert.Equal((5L, "t"), (copy.TaskId, copy.TaskName));
    }

    private static void SetNotDefault(TaskAssignment message, FieldDescriptor field)
    {
        var accessor = field.Accessor;
        if (field.IsRepeated)
        {
            var list = (System.Collections.IList)accessor.GetValue(message);
            list.Add(field.FieldType == FieldType.Int32 ? 3 : throw new InvalidOperationException($"field {field.Name}: add a value of {field.FieldType} to this test"));
            list.Add(field.FieldType == FieldType.Int32 ? 5 : 0);
            return;
        }

        object value = field.FieldType switch
        {
            FieldType.Int64 => 7L + field.FieldNumber,
            FieldType.Int32 => 7 + field.FieldNumber,
            FieldType.Bool => true,
            FieldType.String => "v-" + field.Name,
            FieldType.Bytes => ByteString.CopyFromUtf8("[[" + field.FieldNumber + "]]"),
            FieldType.Message => field.MessageType.Parser.ParseFrom(ByteString.Empty),
            _ => throw new InvalidOperationException($"field {field.Name}: set a value of {field.FieldType} in this test"),
        };
        accessor.SetValue(message, value);
    }
}
