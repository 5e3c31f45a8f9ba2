package io.ttv.shell;

import io.ttv.pipeline.ops.PipelineOperations;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.table.ShellTable;

@Command(scope = "ttv", name = "callbacks", description = "Lists dead-lettered callbacks (given up after their "
        + "redeliveries), oldest first")
@Service
public class CallbacksCommand extends TtvAction {
    @Override
    void run(PipelineOperations ops) {
        ShellTable table = new ShellTable();
        table.column("ID");
        table.column("Job");
        table.column("Event");
        table.column("Target");
        table.column("Failed at");
        table.column("Attempts").alignRight();
        table.column("Error");
        for (PipelineOperations.DeadLetter d : ops.deadLetters()) {
            table.addRow().addContent(d.id(), d.jobId(), d.event(), orDash(d.target()), orDash(d.failedAt()),
                    orDash(d.attempts()), shorten(d.error(), 60));
        }
        table.print(System.out);
    }
}
