namespace MailHost.Storage.Sqlite.Mail;

/// <summary>
/// Content files under <c>blobs/</c>, named by their SHA-256 (<c>blobs/ab/abcdef...</c>), and the spool directory
/// <c>blobs/tmp/</c>. Only the writer renames into or deletes from the content tree.
/// </summary>
internal sealed class BlobStore
{
    public BlobStore(string dataDirectory)
    {
        Root = Path.Combine(Path.GetFullPath(dataDirectory), "blobs");
        TempDirectory = Path.Combine(Root, "tmp");
        OwnerOnlyFiles.CreateDirectory(TempDirectory);
    }

    public string Root { get; }

    public string TempDirectory { get; }

    public string PathOf(string address)
    {
        // The address is our own hex SHA-256, never client text; check anyway so no path can escape the root.
        if (address.Length != 64 || !address.All(char.IsAsciiHexDigitLower))
        {
            throw new ArgumentException("Not a content address.", nameof(address));
        }

        return Path.Combine(Root, address[..2], address);
    }

    /// <summary>Moves a fsynced spool file into place and makes the rename durable. Returns false if the content was already there.</summary>
    public bool Place(string spoolFile, string address)
    {
        var target = PathOf(address);
        var directory = Path.GetDirectoryName(target)!;
        if (File.Exists(target))
        {
            File.Delete(spoolFile);
            return false;
        }

        var created = !Directory.Exists(directory);
        OwnerOnlyFiles.CreateDirectory(directory);
        File.Move(spoolFile, target, overwrite: false);
        DirectorySync.Flush(directory);
        if (created)
        {
            DirectorySync.Flush(Root);
        }

        return true;
    }

    public void Delete(string address)
    {
        var path = PathOf(address);
        if (File.Exists(path))
        {
            File.Delete(path);
        }
    }

    public Stream? OpenRead(string address)
    {
        try
        {
            return new FileStream(PathOf(address), FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, 64 * 1024, FileOptions.Asynchronous);
        }
        catch (FileNotFoundException)
        {
            return null;
        }
        catch (DirectoryNotFoundException)
        {
            return null;
        }
    }

    public IEnumerable<string> EnumerateAddresses()
    {
        foreach (var directory in Directory.EnumerateDirectories(Root))
        {
            if (string.Equals(Path.GetFileName(directory), "tmp", StringComparison.Ordinal))
            {
                continue;
            }

            foreach (var file in Directory.EnumerateFiles(directory))
            {
                yield return Path.GetFileName(file);
            }
        }
    }
}
