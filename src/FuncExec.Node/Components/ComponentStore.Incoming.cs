using FuncExec.Protocol.V1;

namespace FuncExec.Node.Components;

/// <summary>Components that arrive in pieces: assembled beside the store, moved in once whole and checked.</summary>
internal sealed partial class ComponentStore
{
    /// <summary>Where components being received are assembled: inside the root, so moving them in is a rename.</summary>
    internal string IncomingRoot => Path.Combine(Root, ".incoming");

    /// <summary>
    /// Moves the files of a component assembled in <paramref name="folder"/> (named <paramref name="names"/>, its
    /// main file's hash already checked) into the store, then counts it against <see cref="MaxSize"/>.
    /// </summary>
    /// <exception cref="InvalidDataException">A name leaves the component's folder, or the store cannot hold it.</exception>
    internal void Adopt(ComponentRef component, string folder, IReadOnlyList<string> names)
    {
        var directory = Path.GetDirectoryName(PathOf(component))!;
        var targets = ComponentPath.Resolve(directory, names);
        var sources = ComponentPath.Resolve(folder, names);
        for (var i = 0; i < targets.Count; i++)
        {
            if (!File.Exists(targets[i]))
            {
                Directory.CreateDirectory(Path.GetDirectoryName(targets[i])!);
                File.Move(sources[i], targets[i], overwrite: true);
            }
        }

        Admit(component);
    }
}
