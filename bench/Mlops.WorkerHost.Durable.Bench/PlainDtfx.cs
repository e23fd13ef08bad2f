using DurableTask.Core;

namespace Mlops.WorkerHost.Durable.Bench;

/// <summary>The baseline: the same orchestrations as in-process DTFx classes.</summary>
internal sealed class SquareActivity : TaskActivity<int, int>
{
    protected override int Execute(TaskContext context, int input) => input * input;
}

internal sealed class ChainOrchestration : TaskOrchestration<int, int>
{
    public override async Task<int> RunTask(OrchestrationContext context, int input)
    {
        var sum = 0;
        for (var i = 1; i <= input; i++)
        {
            sum += await context.ScheduleTask<int>(typeof(SquareActivity), i);
        }

        return sum;
    }
}

internal sealed class FanOutOrchestration : TaskOrchestration<int, int>
{
    public override async Task<int> RunTask(OrchestrationContext context, int input)
    {
        var tasks = Enumerable.Range(1, input).Select(i => context.ScheduleTask<int>(typeof(SquareActivity), i));
        return (await Task.WhenAll(tasks)).Sum();
    }
}
