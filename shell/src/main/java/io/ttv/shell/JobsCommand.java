package io.ttv.shell;

import io.ttv.pipeline.ops.PipelineOperations;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.table.ShellTable;

import java.util.List;
import java.util.Map;

@Command(scope = "ttv", name = "jobs", description = "Lists jobs, newest first (the fleet's, from Redis)")
@Service
public class JobsCommand extends TtvAction {
    @Option(name = "--status", aliases = "-s", description = "Only jobs in this status: queued, started, progress, "
            + "finished, failed, canceled")
    @Completion(StatusCompleter.class)
    String status;

    @Option(name = "--limit", aliases = "-n", description = "At most this many jobs (1..1000, default 20)")
    int limit = 20;

    @Override
    void run(PipelineOperations ops) {
        List<Map<String, String>> jobs = ops.jobs(status, limit);
        ShellTable table = new ShellTable();
        table.column("ID");
        table.column("Status");
        table.column("Progress").alignRight();
        table.column("Attempts").alignRight();
        table.column("Generator");
        table.column("Created");
        table.column("Prompt");
        for (Map<String, String> j : jobs) {
            table.addRow().addContent(j.get("id"), j.get("status"), orDash(j.get("progress")),
                    orDash(j.get("attempts")), orDash(j.get("generator")), orDash(j.get("created_at")),
                    shorten(j.get("prompt"), 40));
        }
        table.print(System.out);
    }
}
