package io.ttv.shell;

import io.ttv.pipeline.ops.PipelineOperations;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.table.ShellTable;

@Command(scope = "ttv", name = "health", description = "Readiness of this node (as GET /readyz): each check and the summary")
@Service
public class HealthCommand extends TtvAction {
    @Override
    void run(PipelineOperations ops) {
        PipelineOperations.Health h = ops.health();
        ShellTable table = new ShellTable();
        table.column("Check");
        table.column("State");
        table.column("Message");
        for (PipelineOperations.Check c : h.checks()) {
            table.addRow().addContent(c.id(), c.state(), orDash(c.message()));
        }
        table.print(System.out);
        String worker = ops.workerId() == null ? "no workers" : "worker " + ops.workerId();
        System.out.println("Node: role " + ops.role() + ", " + worker + " - " + (h.ready() ? "READY" : "NOT READY"));
    }
}
