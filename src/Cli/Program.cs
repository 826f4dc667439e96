return await SpeechEmotion.Cli.CliApplication.RunAsync(args);
