"""Excel front end: UDFs (``functions``) and ribbon macros (``ribbon``), thin over jobs and calc."""
