using System.Collections;

namespace Mellea.Tracing;

/// <summary>
/// The sampling tags of a span start, shared by every call with the same (handler, operation, model), and enumerable
/// without an allocation. <c>ActivitySource.StartActivity</c> takes its tags as an <see cref="IEnumerable{T}"/> and copies
/// them through <see cref="GetEnumerator"/>; an array would hand it a new boxed enumerator on every call (32 B of a
/// listened call). This object lends itself as the enumerator to one enumeration at a time and takes it back when that
/// enumeration reaches the end. A concurrent enumeration gets an array enumerator instead, so sharing stays correct and
/// costs what an array would. <see cref="Dispose"/> takes nothing back: after the end another call may already hold the
/// enumerator, and an enumeration a sampler abandons half-way only means later calls get array enumerators.
/// </summary>
internal sealed class StartTags : IEnumerable<KeyValuePair<string, object?>>, IEnumerator<KeyValuePair<string, object?>>
{
    private readonly KeyValuePair<string, object?>[] _tags;
    private int _lent;
    private int _index = -1;

    public StartTags(KeyValuePair<string, object?>[] tags)
    {
        _tags = tags;
    }

    /// <summary>The tags, for tests and callers that want the array.</summary>
    public IReadOnlyList<KeyValuePair<string, object?>> Items => _tags;

    public KeyValuePair<string, object?> Current => _tags[_index];

    object IEnumerator.Current => Current;

    public IEnumerator<KeyValuePair<string, object?>> GetEnumerator()
    {
        if (Interlocked.CompareExchange(ref _lent, 1, 0) == 0)
        {
            _index = -1;
            return this;
        }

        return ((IEnumerable<KeyValuePair<string, object?>>)_tags).GetEnumerator();
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    public bool MoveNext()
    {
        if (++_index < _tags.Length)
        {
            return true;
        }

        // The Activity reads to the end without disposing: the end gives the enumerator back.
        Volatile.Write(ref _lent, 0);
        return false;
    }

    public void Reset() => _index = -1;

    public void Dispose()
    {
        // See the class remarks: only the end of an enumeration gives the enumerator back.
    }
}
