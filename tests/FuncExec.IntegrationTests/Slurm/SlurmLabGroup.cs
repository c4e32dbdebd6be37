namespace FuncExec.IntegrationTests.Slurm;

/// <summary>The Slurm tests share one <see cref="SlurmLab"/> and run one after another.</summary>
[CollectionDefinition(SlurmLab.Collection)]
public sealed class SlurmLabGroup : ICollectionFixture<SlurmLab>;
