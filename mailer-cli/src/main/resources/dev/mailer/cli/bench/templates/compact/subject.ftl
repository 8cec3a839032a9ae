${contact.firstName!"Hello"}, your December news from ${sender.organisation}
