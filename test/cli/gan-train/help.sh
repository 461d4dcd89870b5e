gan-train --help
