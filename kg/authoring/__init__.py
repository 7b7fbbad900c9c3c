"""Growing the seeds: registering an article and suggesting its annotations."""
