gan-train --model gan
