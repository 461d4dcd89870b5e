^gan-train: step 2: the gradient of D.model.0.weight is not finite; stopped before the update$
