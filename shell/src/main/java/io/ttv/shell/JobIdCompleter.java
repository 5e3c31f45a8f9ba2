package io.ttv.shell;

import io.ttv.pipeline.ops.PipelineOperations;
import org.apache.karaf.shell.api.action.lifecycle.Service;

import java.util.List;

/** The ids of the 100 newest jobs. */
@Service
public class JobIdCompleter extends IdCompleter {
    @Override
    List<String> values(PipelineOperations ops) {
        return ops.jobs(null, 100).stream().map(j -> j.get("id")).toList();
    }
}
