package io.ttv.shell;

import io.ttv.pipeline.ops.PipelineOperations;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.table.ShellTable;

import java.util.Map;

@Command(scope = "ttv", name = "queue", description = "Queue statistics: depth, delayed retries, oldest waiting job, "
        + "jobs being processed per worker")
@Service
public class QueueCommand extends TtvAction {
    @Override
    void run(PipelineOperations ops) {
        PipelineOperations.QueueStats q = ops.queue();
        ShellTable table = new ShellTable();
        table.column("Metric");
        table.column("Value").alignRight();
        table.addRow().addContent("queued", q.depth());
        table.addRow().addContent("delayed retries", q.delayed());
        table.addRow().addContent("delayed retries due", q.delayedDue());
        table.addRow().addContent("oldest waiting", q.oldestWaitingJob() == null ? "-"
                : q.oldestWaitingJob() + " (" + age(q.oldestWaitingMillis()) + ")");
        long processing = q.processing().values().stream().mapToLong(Long::longValue).sum();
        table.addRow().addContent("processing", processing);
        for (Map.Entry<String, Long> e : q.processing().entrySet()) {
            table.addRow().addContent("processing " + e.getKey(), e.getValue());
        }
        table.print(System.out);
    }
}
