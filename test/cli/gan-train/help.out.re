usage: gan-train --model NAME
