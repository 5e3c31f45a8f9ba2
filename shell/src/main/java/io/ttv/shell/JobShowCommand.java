package io.ttv.shell;

import io.ttv.pipeline.ops.PipelineOperations;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.table.ShellTable;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

@Command(scope = "ttv", name = "job-show", description = "Shows every stored field of a job and its last log lines")
@Service
public class JobShowCommand extends TtvAction {
    /** Shown first, in this order; any other field follows alphabetically. */
    static final List<String> ORDER = List.of("id", "status", "progress", "attempts", "generator", "prompt",
            "duration_seconds", "aspect_ratio", "seed", "created_at", "updated_at", "started_at", "finished_at",
            "gcs_uri", "error", "retryable", "last_error", "callback_url", "callback_events", "metadata");

    @Argument(index = 0, name = "id", description = "Job id", required = true)
    @Completion(JobIdCompleter.class)
    String id;

    @Option(name = "--logs", aliases = "-l", description = "Log lines to show (default 10, 0 for none)")
    int logs = 10;

    @Override
    void run(PipelineOperations ops) {
        Map<String, String> job = new TreeMap<>(ops.job(id));
        ShellTable table = new ShellTable();
        table.column("Field");
        table.column("Value");
        List<String> keys = new ArrayList<>();
        ORDER.stream().filter(job::containsKey).forEach(keys::add);
        job.keySet().stream().filter(k -> !ORDER.contains(k)).forEach(keys::add);
        for (String k : keys) {
            table.addRow().addContent(k, job.get(k));
        }
        table.print(System.out);
        if (logs > 0) {
            List<String> lines = ops.jobLogs(id, logs);
            System.out.println();
            System.out.println("Log (last " + lines.size() + " line" + (lines.size() == 1 ? "" : "s") + "):");
            lines.forEach(l -> System.out.println("  " + l));
        }
    }
}
