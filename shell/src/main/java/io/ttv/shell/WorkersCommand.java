package io.ttv.shell;

import io.ttv.pipeline.ops.PipelineOperations;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.table.ShellTable;

@Command(scope = "ttv", name = "workers", description = "Workers of the fleet: heartbeat age, liveness, active jobs")
@Service
public class WorkersCommand extends TtvAction {
    @Override
    void run(PipelineOperations ops) {
        ShellTable table = new ShellTable();
        table.column("Worker");
        table.column("Heartbeat").alignRight();
        table.column("State");
        table.column("Active").alignRight();
        table.column("Jobs");
        for (PipelineOperations.WorkerInfo w : ops.workers()) {
            table.addRow().addContent(w.id() + (w.local() ? " *" : ""), age(w.heartbeatAgeMillis()) + " ago",
                    w.alive() ? "alive" : "expired", w.activeJobs(),
                    w.jobs().isEmpty() ? "-" : String.join(",", w.jobs()));
        }
        table.print(System.out);
        System.out.println("(* this node; expired: its heartbeat key is gone and the reaper will requeue its jobs)");
    }
}
