using System.Numerics;

namespace FactorialFarm;

/// <summary>The job the farm runs on remote cores.</summary>
public static class FactorialJobs
{
    /// <summary>Computes <paramref name="n"/>! and writes it, as binary, to <c>DIRECTORY/n.bin</c>.</summary>
    /// <returns>The number of bits of the result.</returns>
    public static long Factorial(int n, string directory)
    {
        var result = BigInteger.One;
        for (var i = 2; i <= n; i++)
        {
            result *= i;
        }

        var path = Path.Combine(directory, $"{n}.bin");
        var temp = path + ".partial";
        File.WriteAllBytes(temp, result.ToByteArray());
        // Renamed into place: the monitor never reads half a file.
        File.Move(temp, path, overwrite: true);
        return (long)result.GetBitLength();
    }
}
