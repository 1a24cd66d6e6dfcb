"""Components of the example project; cf imports every module here ([tool.cf] components)."""
