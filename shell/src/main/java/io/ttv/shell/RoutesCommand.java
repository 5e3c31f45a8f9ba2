package io.ttv.shell;

import io.ttv.pipeline.ops.PipelineOperations;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.table.ShellTable;

@Command(scope = "ttv", name = "routes", description = "This node's Camel routes: state, exchanges total, failed and "
        + "in flight, mean processing time")
@Service
public class RoutesCommand extends TtvAction {
    @Override
    void run(PipelineOperations ops) {
        ShellTable table = new ShellTable();
        table.column("Route");
        table.column("State");
        table.column("Total").alignRight();
        table.column("Failed").alignRight();
        table.column("Inflight").alignRight();
        table.column("Mean ms").alignRight();
        table.column("Uptime");
        table.column("Bundle");
        for (PipelineOperations.RouteInfo r : ops.routes()) {
            table.addRow().addContent(r.id(), r.state(), n(r.exchangesTotal()), n(r.exchangesFailed()),
                    n(r.inflight()), n(r.meanMillis()), orDash(r.uptime()), orDash(r.bundle()));
        }
        table.print(System.out);
    }

    private static String n(long v) {
        return v < 0 ? "-" : Long.toString(v);
    }
}
