package io.ttv.shell;

import io.ttv.pipeline.ops.PipelineOperations;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.lifecycle.Service;

@Command(scope = "ttv", name = "job-cancel", description = "Cancels a queued or running job (as POST /v1/jobs/{id}/cancel)")
@Service
public class JobCancelCommand extends TtvAction {
    @Argument(index = 0, name = "id", description = "Job id", required = true)
    @Completion(JobIdCompleter.class)
    String id;

    @Override
    void run(PipelineOperations ops) {
        System.out.println(ops.cancelJob(id));
    }
}
