using System.Diagnostics;
using System.Globalization;

namespace Mlops.WorkerHost.Worker;

/// <summary>
/// Worker processes whose host was killed (SIGKILL, a crash): the isolated worker does not exit when its gRPC stream
/// breaks, so it would keep running — and keep running an activity such as a training stage — beside the next host.
/// Each host records its worker (host pid and start time, worker pid and start time) in a small file under the temp
/// folder and removes it when the worker exits; a starting host stops the workers of recorded hosts that are gone.
/// A worker is only stopped when both its pid and its start time match the record, so a reused pid is never touched, and
/// a record of a host that still runs (tests run many hosts at once) is left alone.
/// </summary>
internal static class OrphanedWorkers
{
    private static readonly string Folder = Path.Combine(Path.GetTempPath(), "mlops-workerhost", "workers");

    /// <summary>Records a worker this host started.</summary>
    public static void Record(Process worker)
    {
        try
        {
            Directory.CreateDirectory(Folder);
            var host = Process.GetCurrentProcess();
            var line = string.Join(' ',
                host.Id.ToString(CultureInfo.InvariantCulture), Ticks(host), worker.Id.ToString(CultureInfo.InvariantCulture), Ticks(worker));

            // Written whole, then renamed: a host reading the folder at that moment sees the old state or the new one.
            var path = RecordPath(worker.Id);
            var temporary = path + "." + Guid.NewGuid().ToString("N") + ".tmp";
            File.WriteAllText(temporary, line);
            File.Move(temporary, path, overwrite: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidOperationException)
        {
            // Best effort: without a record an orphan is only left running, as before.
        }
    }

    /// <summary>Removes the record of a worker that exited.</summary>
    public static void Forget(int workerPid)
    {
        try
        {
            File.Delete(RecordPath(workerPid));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
        }
    }

    /// <summary>Kills the recorded workers of hosts that no longer run; returns their pids.</summary>
    public static IReadOnlyList<int> StopAll()
    {
        var stopped = new List<int>();
        string[] files;
        try
        {
            files = Directory.Exists(Folder) ? Directory.GetFiles(Folder, "*.worker") : [];
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return stopped;
        }

        foreach (var file in files)
        {
            string[] fields;
            try
            {
                fields = File.ReadAllText(file).Split(' ');
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                continue;
            }

            if (fields.Length != 4 || !int.TryParse(fields[0], CultureInfo.InvariantCulture, out var hostPid)
                                   || !int.TryParse(fields[2], CultureInfo.InvariantCulture, out var workerPid))
            {
                continue;
            }

            if (IsRunning(hostPid, fields[1]))
            {
                continue;
            }

            if (IsRunning(workerPid, fields[3]) && Kill(workerPid))
            {
                stopped.Add(workerPid);
            }

            Forget(workerPid);
        }

        return stopped;
    }

    private static string RecordPath(int workerPid) => Path.Combine(Folder, workerPid.ToString(CultureInfo.InvariantCulture) + ".worker");

    private static string Ticks(Process process) => process.StartTime.ToUniversalTime().Ticks.ToString(CultureInfo.InvariantCulture);

    /// <summary>Whether <paramref name="pid"/> is the same process that was recorded (same start time), still running.</summary>
    private static bool IsRunning(int pid, string recordedStartTicks)
    {
        if (!long.TryParse(recordedStartTicks, CultureInfo.InvariantCulture, out var recorded))
        {
            return false;
        }

        try
        {
            // Within a second, not equal: on Linux each process derives start times from its own reading of the boot
            // time, so two processes see the same start a few milliseconds apart.
            using var process = Process.GetProcessById(pid);
            return !process.HasExited && Math.Abs(process.StartTime.ToUniversalTime().Ticks - recorded) < TimeSpan.TicksPerSecond;
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }

    private static bool Kill(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            process.Kill(entireProcessTree: true);
            return true;
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }
}
