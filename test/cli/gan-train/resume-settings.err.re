resume takes the settings from the checkpoint
