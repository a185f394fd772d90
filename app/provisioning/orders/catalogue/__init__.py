"""The IT-order catalogue compiler: a YAML file loaded, every field and reference checked, compiled into frozen
values; the comparison of two versions and the administrator's catalogue pages."""
