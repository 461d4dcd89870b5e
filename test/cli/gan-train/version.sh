gan-train --version
