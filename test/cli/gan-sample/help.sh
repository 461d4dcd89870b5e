gan-sample --help
