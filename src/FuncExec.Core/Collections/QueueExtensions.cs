namespace FuncExec.Core.Collections;

/// <summary>What <see cref="Queue{T}"/> lacks for taking work back.</summary>
internal static class QueueExtensions
{
    /// <summary>Removes every item that matches, keeping the others in order; O(n), for rare events.</summary>
    /// <returns>Whether any item was removed.</returns>
    public static bool RemoveWhere<T>(this Queue<T> queue, Func<T, bool> match)
    {
        ArgumentNullException.ThrowIfNull(queue);
        ArgumentNullException.ThrowIfNull(match);
        var removed = false;
        for (var count = queue.Count; count > 0; count--)
        {
            // Rotating through the queue once keeps the survivors' order without a second queue.
            var item = queue.Dequeue();
            if (match(item))
            {
                removed = true;
            }
            else
            {
                queue.Enqueue(item);
            }
        }

        return removed;
    }
}
