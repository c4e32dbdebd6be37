using System.Text;
using System.Threading.Channels;
using FuncExec.Core.Tasks;
using FuncExec.Reporting.Internal;

namespace FuncExec.Reporting;

/// <summary>Records a run's profile to a CSV file: one row per finished task, one per worker start and death,
/// and a sample of the cluster's state at a fixed interval. <c>funcexec report</c> reads the file back.</summary>
/// <remarks>
/// <para>Feed it the scheduler's event stream through <see cref="OnEvents"/>; it takes a sample every
/// <see cref="Interval"/> (default 100 ms) by calling the function given to the constructor, and once more
/// when disposed. Rows are written by one background loop, so <see cref="OnEvents"/> only copies the batch
/// into a queue and returns.</para>
/// <para>A task gets its row when it finishes; a task still queued or running when the recorder is disposed
/// gets none. Events that arrive after disposal are ignored.</para>
/// <para>A failure to write the file, or an exception from the sample function, stops the recording; the
/// exception is thrown by <see cref="FlushAsync"/> and by disposal.</para>
/// <para>The format is described in the README, section "Profiles and reports".</para>
/// </remarks>
internal sealed class ProfileRecorder : IAsyncDisposable, IDisposable
{
    /// <summary>The sampling interval used when none is given: 100 ms.</summary>
    public static readonly TimeSpan DefaultInterval = TimeSpan.FromMilliseconds(100);

    private readonly Func<ProfileSample> _sample;
    private readonly TimeProvider _time;
    private readonly StreamWriter _file;
    private readonly ProfileRowWriter _rows;

    // Unbounded: OnEvents must never block the scheduler. The writer loop drains it as fast as the
    // disk takes buffered text; a failed writer completes it, and later batches are dropped.
    private readonly Channel<Entry> _queue = Channel.CreateUnbounded<Entry>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Task _writeLoop;
    private readonly ITimer _timer;
    private readonly Lock _sampleLock = new();
    private Exception? _sampleFailure;
    private int _disposed;

    /// <summary>Creates <paramref name="path"/> (replacing a file there), writes the header, and starts sampling.</summary>
    /// <param name="path">The CSV file to write.</param>
    /// <param name="sample">Called every <paramref name="interval"/> for the cluster's state; it must be cheap
    /// and may be called from any thread.</param>
    /// <param name="interval">How often to sample; default <see cref="DefaultInterval"/> (100 ms).</param>
    /// <param name="timeProvider">The clock for the samples' times and the interval; default the system clock.</param>
    /// <exception cref="IOException">The file cannot be created.</exception>
    /// <exception cref="UnauthorizedAccessException">The file may not be written.</exception>
    public ProfileRecorder(string path, Func<ProfileSample> sample, TimeSpan? interval = null, TimeProvider? timeProvider = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(sample);
        var every = interval ?? DefaultInterval;
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(every, TimeSpan.Zero, nameof(interval));
        Path = path;
        Interval = every;
        _sample = sample;
        _time = timeProvider ?? TimeProvider.System;
        var stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.Read, bufferSize: 1 << 16, useAsync: true);
        _file = new StreamWriter(stream, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false), bufferSize: 1 << 16);
        _rows = new ProfileRowWriter(_file);
        _rows.WriteHeader();
        _writeLoop = Task.Run(WriteLoopAsync);
        _timer = _time.CreateTimer(static state => ((ProfileRecorder)state!).TakeSample(), this, every, every);
    }

    /// <summary>The CSV file being written.</summary>
    public string Path { get; }

    /// <summary>How often the cluster's state is sampled.</summary>
    public TimeSpan Interval { get; }

    /// <summary>Records a batch of the scheduler's events, in order. Cheap and thread-safe: the batch is copied
    /// and written later by the background writer, so the caller may reuse the list.</summary>
    /// <remarks>Batches from different threads are written in the order they were handed over; the profile's
    /// queued time of a task comes from its <see cref="ClusterEventKind.TaskQueued"/> event, so hand that over before the task's
    /// <see cref="ClusterEventKind.TaskFinished"/>.</remarks>
    public void OnEvents(IReadOnlyList<ClusterEvent> events)
    {
        ArgumentNullException.ThrowIfNull(events);
        if (events.Count == 0)
        {
            return;
        }

        var copy = new ClusterEvent[events.Count];
        for (var i = 0; i < copy.Length; i++)
        {
            copy[i] = events[i];
        }

        _queue.Writer.TryWrite(new Entry(copy, null, 0, null));
    }

    /// <summary>Completes when every event and sample handed over so far is written to the file and flushed.</summary>
    /// <exception cref="IOException">Writing the file failed.</exception>
    /// <exception cref="InvalidOperationException">The sample function threw; the inner exception is its.</exception>
    public async Task FlushAsync(CancellationToken cancellationToken = default)
    {
        ThrowIfSamplingFailed();
        var flushed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (_queue.Writer.TryWrite(new Entry(null, null, 0, flushed)))
        {
            await Task.WhenAny(flushed.Task, _writeLoop).WaitAsync(cancellationToken).ConfigureAwait(false);
        }

        if (_writeLoop.IsCompleted)
        {
            await _writeLoop.ConfigureAwait(false);
        }

        ThrowIfSamplingFailed();
    }

    /// <summary>Stops sampling, takes a last sample, writes what is queued, and closes the file.</summary>
    /// <exception cref="IOException">Writing the file failed.</exception>
    /// <exception cref="InvalidOperationException">The sample function threw; the inner exception is its.</exception>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _timer.DisposeAsync().ConfigureAwait(false);
        // The last sample closes the sampled span at the moment the run ended.
        TakeSample();
        _queue.Writer.TryComplete();
        try
        {
            await _writeLoop.ConfigureAwait(false);
        }
        finally
        {
            await _file.DisposeAsync().ConfigureAwait(false);
        }

        ThrowIfSamplingFailed();
    }

    /// <summary>As <see cref="DisposeAsync"/>, blocking until the file is closed.</summary>
    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    private void TakeSample()
    {
        // The lock keeps samples in time order when a slow sample function makes timer ticks overlap,
        // and keeps the last sample of DisposeAsync after every tick's.
        lock (_sampleLock)
        {
            if (_sampleFailure is not null)
            {
                return;
            }

            ProfileSample sample;
            try
            {
                sample = _sample();
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // A timer callback is a boundary: an exception here would end the process. Keep it for
                // FlushAsync and DisposeAsync to throw, and take no more samples.
                _sampleFailure = ex;
                _timer.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
                return;
            }

            _queue.Writer.TryWrite(new Entry(null, sample, UnixTime.ToMicroseconds(_time.GetUtcNow()), null));
        }
    }

    private void ThrowIfSamplingFailed()
    {
        Exception? failure;
        lock (_sampleLock)
        {
            failure = _sampleFailure;
        }

        if (failure is not null)
        {
            throw new InvalidOperationException($"profile {Path}: the sample function threw: {failure.Message}", failure);
        }
    }

    private async Task WriteLoopAsync()
    {
        var reader = _queue.Reader;
        var flushed = new List<TaskCompletionSource>();
        try
        {
            while (await reader.WaitToReadAsync().ConfigureAwait(false))
            {
                while (reader.TryRead(out var entry))
                {
                    if (entry.Events is { } events)
                    {
                        foreach (var e in events)
                        {
                            _rows.Write(e);
                        }
                    }
                    else if (entry.Sample is { } sample)
                    {
                        _rows.WriteSample(entry.SampleTimeUs, sample);
                    }
                    else if (entry.Flushed is { } waiter)
                    {
                        flushed.Add(waiter);
                    }
                }

                // Flush whenever the queue runs dry, so a run that is killed loses at most the last moments.
                await _file.FlushAsync().ConfigureAwait(false);
                foreach (var waiter in flushed)
                {
                    waiter.TrySetResult();
                }

                flushed.Clear();
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Stop taking batches: with nobody draining the queue it would only grow. DisposeAsync throws ex.
            _queue.Writer.TryComplete(ex);
            throw;
        }
    }

    private readonly record struct Entry(ClusterEvent[]? Events, ProfileSample? Sample, long SampleTimeUs, TaskCompletionSource? Flushed);
}
